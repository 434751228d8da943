"""Images: verifying and re-encoding files (processing), adding them to the library
(library), renditions (renditions), body references (references), fetching (fetching)."""
