"""Sales flows that are not phone documents: head decisions, lead moves, expenses, offer PDFs."""
