"""Finished files into the output folder: the staged writer, the search index, and the
publisher that owns the folder."""
