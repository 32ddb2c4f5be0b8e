"""api: the outer layer. The HTTP app (translating requests to calls, no business rules) and
the renderers that lay out what the engines computed (the PDF statement)."""
