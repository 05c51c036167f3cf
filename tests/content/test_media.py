"""Media library: checked by content, EXIF stripped, thumbnails, attached to variants."""

import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hearth.content import workflow
from hearth.content.images import ImageRejected, clean_image
from hearth.content.models import MediaAsset
from hearth.content.storage import DiskStorage
from hearth.workspaces.access import resolve
from tests.content.factories import make_channel, make_item


def jpeg_with_exif(size=(600, 400), orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (59.0, 56.0, 0.0)}  # GPS IFD: St Petersburg
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(300, 300), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def test_exif_is_stripped_and_orientation_applied():
    raw = jpeg_with_exif(orientation=6)  # "rotate 90° clockwise to display"
    assert b"SecretCam" in raw
    clean = clean_image(raw)
    assert b"SecretCam" not in clean.data
    reopened = Image.open(io.BytesIO(clean.data))
    assert not reopened.getexif()
    assert (clean.width, clean.height) == (400, 600)  # the rotation was applied, then dropped
    assert clean.mime == "image/jpeg" and clean.extension == "jpg"
    thumb = Image.open(io.BytesIO(clean.thumbnail))
    assert max(thumb.size) == 320 and thumb.format == "JPEG"


def test_type_comes_from_the_bytes():
    assert clean_image(png()).mime == "image/png"
    with pytest.raises(ImageRejected, match="not an image"):
        clean_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(ImageRejected, match="BMP images are not accepted"):
        clean_image(out.getvalue())


def test_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(ImageRejected, match="pixels"):
        clean_image(png((8000, 6000), mode="1"))


def test_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (20, 20), (i * 80, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    clean = clean_image(out.getvalue())
    assert clean.kind == "gif" and Image.open(io.BytesIO(clean.data)).n_frames == 3


@settings(max_examples=200)
@given(st.binary(max_size=3000))
def test_random_bytes_are_rejected_cleanly(data):
    try:
        clean_image(data)
    except ImageRejected as exc:
        assert str(exc)


def test_disk_storage_refuses_escaping_names(tmp_path):
    storage = DiskStorage(tmp_path)
    storage.save("a/b.png", b"x")
    assert storage.read("a/b.png") == b"x"
    with pytest.raises(ValueError, match="escapes"):
        storage.save("../outside.png", b"x")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_upload_attach_and_submit_instagram(login, workspace, people, project, media_root):
    insta = make_channel(project, "instagram", name="Insta")
    variant = make_item(project, people["editor"], [insta], text="Look").variants.get()
    editor = resolve(people["editor"], workspace.slug), people["editor"]
    with pytest.raises(ValidationError, match=r"(?i)media|image"):
        workflow.submit(*editor, variant)  # Instagram requires media
    client = login(people["editor"])
    base = f"/w/{workspace.slug}"
    upload = io.BytesIO(jpeg_with_exif((1080, 1080)))
    upload.name = "holiday.txt"  # the name lies; the bytes decide
    answer = client.post(f"{base}/projects/{project.pk}/media/", {"image": upload})
    assert answer.status_code == 302
    asset = MediaAsset.objects.get()
    assert asset.mime == "image/jpeg" and (asset.width, asset.height) == (1080, 1080)
    assert b"SecretCam" not in (media_root / asset.name).read_bytes()
    thumb = client.get(f"{base}/media/{asset.pk}/?size=thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    client.post(f"{base}/variants/{variant.pk}/media/", {"media": [asset.pk]})
    variant.refresh_from_db()
    workflow.submit(*editor, variant)
    assert variant.status == "submitted"


def test_bad_upload_is_explained_and_stores_nothing(login, workspace, people, project, media_root):
    client = login(people["editor"])
    bad = io.BytesIO(b"MZ\x90\x00 not a picture")
    bad.name = "cat.jpg"
    answer = client.post(f"/w/{workspace.slug}/projects/{project.pk}/media/", {"image": bad})
    assert answer.status_code == 422 and "not an image" in answer.content.decode()
    assert not MediaAsset.objects.exists() and not list(media_root.iterdir())


def test_contractor_sees_only_own_uploads(login, workspace, people, project, media_root):
    client = login(people["editor"])
    upload = io.BytesIO(png())
    upload.name = "a.png"
    client.post(f"/w/{workspace.slug}/projects/{project.pk}/media/", {"image": upload})
    asset = MediaAsset.objects.get()
    contractor = login(people["contractor"])
    assert contractor.get(f"/w/{workspace.slug}/media/{asset.pk}/").status_code == 404
    listing = contractor.get(f"/w/{workspace.slug}/projects/{project.pk}/media/")
    assert listing.status_code == 200 and f"/media/{asset.pk}/" not in listing.content.decode()
