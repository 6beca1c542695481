"""The embedded synthetic Korean dialogue corpus, in the competition's CSV format and reproducible from a seed.

Why synthetic: the competition data cannot be downloaded here, yet every stage needs data of the same shape, with
summaries that abstract the dialogue (who wants what, the key values, the outcome) so the lead baseline is beatable.
"""

from kosum.data.corpus.generate import Example, generate_split
from kosum.data.corpus.writer import write_corpus

__all__ = ["Example", "generate_split", "write_corpus"]
