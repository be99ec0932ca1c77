"""What readers and machines see: pages, API, search, feeds, sitemaps, structured data
and reader feedback. Reads only the published snapshots, never drafts."""
