"""What every stage shares: the site's config, URLs, dates, strings, YAML, errors, workers."""
