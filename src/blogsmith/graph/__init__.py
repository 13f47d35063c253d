"""The content graph: articles with their resolved links, categories, tags, archives,
previous/next and related articles, made from what content/ read."""
