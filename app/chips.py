"""What a mood query was understood to ask for, as chips the user can remove."""

from __future__ import annotations

import streamlit as st

from movierec.constraints import Understood
from movierec.markdown import escape

REMOVED = "mood_removed"  # session state: (query text, labels removed for it)


def removed(text: str) -> list[str]:
    """The labels removed for this text; typing a new text starts afresh."""
    state = st.session_state.get(REMOVED)
    return list(state[1]) if state and state[0] == text else []


def _remove(text: str, label: str) -> None:
    st.session_state[REMOVED] = (text, [*removed(text), label])


def _restore() -> None:
    st.session_state.pop(REMOVED, None)


def show(text: str, understood: Understood | None) -> None:
    """One button per understood constraint ("1990–1999 ✕"); a click drops it and reruns."""
    if understood is None:
        return
    labels = understood.labels
    if labels:
        columns = st.columns([1.2] + [1] * len(labels) + [3])
        columns[0].caption("Understood:")
        for i, label in enumerate(labels):
            columns[i + 1].button(
                f"{escape(label)} ✕",
                key=f"chip-{i}",
                help="Remove this constraint and search these words as text instead",
                on_click=_remove,
                args=(text, label),
            )
    if understood.overridden:
        kept = escape(", ".join(c.label for c in understood.overridden))
        st.caption(f"The sidebar filters win over: {kept}.")
    if removed(text):
        st.button("↺ Read all constraints again", key="chips-restore", on_click=_restore)
