"""Jobs to bytes: the theme's Jinja templates over the graph, page metadata."""
