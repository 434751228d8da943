"""Quick quotes: a quote with its citation, summary and featured image, built on Newsroom."""
