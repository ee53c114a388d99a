"""Signals the workflow sends inside its transactions, so that content apps can join in.

A receiver may raise ValidationError to refuse the start or the transition:
nothing is then saved.
"""

from django.dispatch import Signal

# document, by
document_started = Signal()
# document, entry (the history row just written), target (the step it moved to, or None)
document_transitioned = Signal()
# document, signature (not saved yet): content apps attach the signed file (signature.pdf and sha256)
# before the row is written once; a signature row is never updated afterwards.
document_signing = Signal()
# document, signature (unsaved, no token): a content app returns the bytes of the PDF the signer would sign,
# marked as a preview, or None. Sent outside any transaction, for the signer to look at before signing.
document_previewing = Signal()
