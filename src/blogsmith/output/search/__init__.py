"""Full-text search of the built site: an index blogsmith writes itself, searched in the browser."""
