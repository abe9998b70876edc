"""What an application's documents may be: PDF, PNG or JPEG, told from the content, at most MAX_UPLOAD_BYTES.

The type comes from the first bytes of the file (its "magic number"), never from its name or from the
content type the browser sends: an executable renamed "transcript.pdf" is refused.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from mobilitas.lib.errors import DomainError

MAX_UPLOAD_MB = 10
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# (leading bytes, content type, the extension shown to a user)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
)
ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with `head`, when it is one we accept."""
    for signature, content_type, _label in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def clean_name(name: str) -> str:
    """The file name as the user named it, without any folder, control character or excess length."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 200:
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[: 190 - len(suffix)]}.{suffix}" if dot and len(suffix) <= 8 else base[:200]
    return base or "document"


def check(file: UploadedFile) -> CheckedFile:
    """Refuse an empty, too large or unaccepted file; otherwise its sniffed type, size and SHA-256."""
    size = file.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": MAX_UPLOAD_MB}, field="file"
        )
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    file.seek(0)
    content_type = sniff(file.read(16))
    if content_type is None:
        raise DomainError(
            _("Only PDF, PNG and JPEG files are accepted (the type is read from the file's content)."), field="file"
        )
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(content_type, size, digest.hexdigest(), clean_name(file.name or ""))
