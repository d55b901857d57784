// Placeholder so the target has a source while the store is written.
