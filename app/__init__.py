"""The Streamlit app: presentation only; ranking lives in `movierec`."""
