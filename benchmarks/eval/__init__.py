"""`make eval`: check-worthiness and claim matching measured on a labelled set.

texts/tune/*.lbl and texts/heldout/*.lbl are news-like articles in which every sentence is
wrapped as [[+...]] (check-worthy) or [[-...]] (not); everything outside the brackets is
page furniture, kept as it would arrive. claims.json holds groups of claims that say the
same thing, and distractors. See README.md for how the labels were made."""
