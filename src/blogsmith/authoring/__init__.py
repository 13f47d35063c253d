"""Tools that write sources, not sites: `blogsmith new` and the WordPress importer."""
