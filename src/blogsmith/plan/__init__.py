"""Which pages the site has: one job per output file, the sitemap, with path checks."""
