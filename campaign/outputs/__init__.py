"""What the tool makes from the store: renders, post pages, billboard, report, press kit, gallery, WhatsApp bundles."""
