"""Vector (FAISS) and keyword (BM25) indexes, their fusion, and their on-disk format."""
