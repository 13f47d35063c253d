"""Reading the sources: content/ files, front matter and its fields, Markdown bodies,
comment threads. Each file on its own, so it can be cached and read in a worker."""
