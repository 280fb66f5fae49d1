"""Signals other apps listen to (search indexes the public library) without disclosure importing them."""

from django.dispatch import Signal

# sent with rendition=<Rendition> when a de-identified rendition is approved and published
rendition_published = Signal()
# sent with rendition=<Rendition> when a published rendition is withdrawn
rendition_withdrawn = Signal()
