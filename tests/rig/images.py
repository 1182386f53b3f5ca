"""Test pictures made with Pillow, carrying the metadata an upload must lose: EXIF with a
GPS position and an orientation, XMP, an ICC profile, comments."""

from __future__ import annotations

import io

from PIL import Image, ImageCms, ExifTags

GPS = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 3.2)}
SECRET = b"secret-kith-marker"  # put into every metadata block we can; must not survive
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b"<rdf:RDF><rdf:Description>" + SECRET + b"</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>")


def exif_bytes(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KithCam"
    exif[ExifTags.Base.Model] = SECRET.decode()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif.tobytes()


def icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def scene(width: int, height: int) -> Image.Image:
    """A picture whose left half is red and right half blue (so rotation shows)."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def jpeg(width: int = 64, height: int = 48, orientation: int = 1, quality: int = 90) -> bytes:
    """A JPEG with EXIF (GPS, camera, orientation), XMP, an ICC profile and a comment."""
    out = io.BytesIO()
    scene(width, height).save(out, "JPEG", quality=quality, exif=exif_bytes(orientation), xmp=XMP,
                              icc_profile=icc_profile(), comment=SECRET)
    return out.getvalue()


def photo(width: int = 4000, height: int = 3000) -> bytes:
    """A camera-sized JPEG (12 megapixels by default) with EXIF and GPS, noisy like a photo."""
    base = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge("RGB", (base, noise, Image.linear_gradient("L").resize((width, height))))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif_bytes(6), comment=SECRET)
    return out.getvalue()


def png(width: int = 40, height: int = 30, alpha: bool = False) -> bytes:
    """A PNG with EXIF, a text chunk and an ICC profile; transparent pixels when `alpha`."""
    from PIL import PngImagePlugin

    image = scene(width, height).convert("RGBA") if alpha else scene(width, height)
    if alpha:
        image.putpixel((0, 0), (0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif_bytes(), icc_profile=icc_profile())
    return out.getvalue()


def webp(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    scene(width, height).save(out, "WEBP", exif=exif_bytes(), xmp=XMP, icc_profile=icc_profile())
    return out.getvalue()


def gif(frames: int = 3, width: int = 20, height: int = 20) -> bytes:
    """A GIF (animated when `frames` > 1) with a comment."""
    pictures = [Image.new("RGB", (width, height), color=(i % 256, (i * 7) % 256, 255 - i % 256))
                for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=frames > 1, append_images=pictures[1:], duration=80, loop=0,
                     comment=SECRET)
    return out.getvalue()


def huge_png(width: int = 8000, height: int = 6000) -> bytes:
    """A small PNG whose header declares a huge picture (48 megapixels by default): a
    decompression bomb, as far as anything that trusts the header can tell."""
    import struct
    import zlib

    out = io.BytesIO()
    Image.new("1", (8, 8)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])  # after the signature and "IHDR"
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)
