#!/usr/bin/python3
"""Writes the unsigned catalog (.cat) of the FileBackup driver package.

    make_catalog.py --osslsigncode PATH --out unsigned.cat --osattr 2:10.0
                    --pe FileBackup.sys [--pe ...] --flat FileBackup.inf [--flat ...]

A catalog is a PKCS#7 SignedData whose content is a Certificate Trust List (szOID_CTL) listing
the hash of every file of the package. This script builds that content and wraps it in a
SignedData with no signer yet; `osslsigncode sign` then signs it (cmake/PackageDist.cmake).
Why each field has its value: docs/driver-package.md, "The catalog".

Hashes come from well-kept code, none is computed here by hand:
  * a PE image's Authenticode hash (checksum, certificate-table entry and certificate table
    left out) and the SpcIndirectDataContent that carries it come from
    `osslsigncode extract-data`, the same code that signs the driver;
  * a flat file's hash is the SHA-1 / SHA-256 of its bytes (Python's hashlib, OpenSSL).
The DER encoding is asn1crypto's (Debian python3-asn1crypto), which sorts SET OF members.
"""
import argparse
import datetime
import hashlib
import os
import subprocess
import sys
import tempfile

from asn1crypto import algos, core

# Object identifiers. Those mingw-w64 also defines are checked against its headers by
# tests/artifacts/check_catalog_oids.cmake; szOID_CATALOG_LIST* are the Windows SDK's
# wincrypt.h names (mingw-w64 10 lacks them).
OID_CTL = "1.3.6.1.4.1.311.10.1"                      # szOID_CTL (wincrypt.h)
OID_CATALOG_LIST = "1.3.6.1.4.1.311.12.1.1"           # szOID_CATALOG_LIST: usage "catalog"
OID_CATALOG_LIST_MEMBER2 = "1.3.6.1.4.1.311.12.1.3"   # szOID_CATALOG_LIST_MEMBER2: v2, SHA-256
OID_CAT_NAMEVALUE = "1.3.6.1.4.1.311.12.2.1"          # CAT_NAMEVALUE_OBJID (wintrust.h)
OID_CAT_MEMBERINFO2 = "1.3.6.1.4.1.311.12.2.3"        # CAT_MEMBERINFO2_OBJID (wintrust.h)
OID_SPC_INDIRECT_DATA = "1.3.6.1.4.1.311.2.1.4"       # SPC_INDIRECT_DATA_OBJID (wintrust.h)
OID_SPC_CAB_DATA = "1.3.6.1.4.1.311.2.1.25"           # SPC_CAB_DATA_OBJID: flat-file hash (wintrust.h)

# CAT_NAMEVALUE flags (mscat.h): the attribute is signed with the catalog, its value is text,
# its name is text.
CRYPTCAT_ATTR_AUTHENTICATED = 0x10000000
CRYPTCAT_ATTR_DATAASCII = 0x00010000
CRYPTCAT_ATTR_NAMEASCII = 0x00000001
NAMEVALUE_FLAGS = CRYPTCAT_ATTR_AUTHENTICATED | CRYPTCAT_ATTR_DATAASCII | CRYPTCAT_ATTR_NAMEASCII


class NameValue(core.Sequence):
    """CAT_NAMEVALUE: a tag, its CRYPTCAT_ATTR_* flags, and the value as UTF-16LE with its NUL."""
    _fields = [("tag", core.BMPString), ("flags", core.Integer), ("value", core.OctetString)]


class Attribute(core.Sequence):
    _fields = [("type", core.ObjectIdentifier), ("values", core.SetOf, {"spec": core.Any})]


class Attributes(core.SetOf):
    _child_spec = Attribute


class TrustedSubject(core.Sequence):
    _fields = [("identifier", core.OctetString), ("attributes", Attributes, {"optional": True})]


class TrustedSubjects(core.SequenceOf):
    _child_spec = TrustedSubject


class SubjectUsage(core.SequenceOf):
    _child_spec = core.ObjectIdentifier


class Extension(core.Sequence):
    _fields = [("id", core.ObjectIdentifier), ("value", core.OctetString)]


class Extensions(core.SequenceOf):
    _child_spec = Extension


class SpcString(core.Choice):
    _alternatives = [("unicode", core.BMPString, {"implicit": 0}), ("ascii", core.IA5String, {"implicit": 1})]


class SpcLink(core.Choice):
    _alternatives = [("url", core.IA5String, {"implicit": 0}), ("moniker", core.Any, {"implicit": 1}),
                     ("file", SpcString, {"explicit": 2})]


class SpcAttributeTypeAndOptionalValue(core.Sequence):
    _fields = [("type", core.ObjectIdentifier), ("value", core.Any, {"optional": True})]


class SpcIndirectDataContent(core.Sequence):
    """What an Authenticode signature (or a catalog member) vouches for: what was hashed, how,
    and the digest."""
    _fields = [("data", SpcAttributeTypeAndOptionalValue), ("message_digest", algos.DigestInfo)]


class MemberInfo2Pe(core.Null):
    """CAT_MEMBERINFO2 of a PE image as MakeCat writes it: an empty context tag [0]."""
    class_ = 2
    tag = 0


class MemberInfo2Flat(core.Null):
    """CAT_MEMBERINFO2 of a file hashed flat as MakeCat writes it: an empty context tag [2]."""
    class_ = 2
    tag = 2


class AnySet(core.SetOf):
    _child_spec = core.Any


def pkcs7_signed(content_class):
    """PKCS#7 v1.5 ContentInfo(SignedData) classes for one kind of content. The content sits in
    [0] EXPLICIT as itself: CMS would wrap a content other than data in an OCTET STRING,
    Authenticode and catalogs do not."""
    class InnerContentInfo(core.Sequence):
        _fields = [("content_type", core.ObjectIdentifier), ("content", content_class, {"explicit": 0})]

    class SignedData(core.Sequence):
        _fields = [("version", core.Integer), ("digest_algorithms", AnySet), ("content_info", InnerContentInfo),
                   ("certificates", AnySet, {"implicit": 0, "optional": True}),
                   ("crls", AnySet, {"implicit": 1, "optional": True}), ("signer_infos", AnySet)]

    class ContentInfo(core.Sequence):
        _fields = [("content_type", core.ObjectIdentifier), ("content", SignedData, {"explicit": 0})]

    return ContentInfo


class CertificateTrustList(core.Sequence):
    """CTL_INFO as CryptEncodeObject(PKCS_CTL) writes it (version v1 left at its default)."""
    _fields = [
        ("subject_usage", SubjectUsage),
        ("list_identifier", core.OctetString),
        ("this_update", core.UTCTime),
        ("subject_algorithm", algos.DigestAlgorithm),
        ("trusted_subjects", TrustedSubjects),
        ("extensions", Extensions, {"explicit": 0, "optional": True}),
    ]


def utf16z(text):
    return (text + "\0").encode("utf-16-le")


def name_value(tag, text):
    return NameValue({"tag": tag, "flags": NAMEVALUE_FLAGS, "value": utf16z(text)})


def attribute(oid, value):
    return Attribute({"type": oid, "values": [value]})


def indirect_data_from_osslsigncode(osslsigncode, path, digest):
    """The SpcIndirectDataContent osslsigncode would sign for `path` (PE Authenticode hash)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "data.der")
        run = subprocess.run([osslsigncode, "extract-data", "-h", digest, "-in", path, "-out", out],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            sys.exit(f"make_catalog: osslsigncode extract-data {path} failed: {run.stdout.strip()}")
        with open(out, "rb") as f:
            info = pkcs7_signed(SpcIndirectDataContent).load(f.read())
    inner = info["content"]["content_info"]
    if inner["content_type"].dotted != OID_SPC_INDIRECT_DATA:
        sys.exit(f"make_catalog: {path}: osslsigncode gave {inner['content_type'].dotted}, not SpcIndirectDataContent")
    idc = inner["content"]
    return idc, bytes(idc["message_digest"]["digest"].native)


def flat_indirect_data(digest_name, file_digest):
    """SpcIndirectDataContent for a file hashed flat: SPC_CAB_DATA_OBJID with an empty SpcLink
    (file [2] { unicode [0] "" }), then the file's digest."""
    empty_link = SpcLink(name="file", value=SpcString(name="unicode", value=""))
    return SpcIndirectDataContent({
        "data": {"type": OID_SPC_CAB_DATA, "value": empty_link},
        "message_digest": {"digest_algorithm": {"algorithm": digest_name, "parameters": core.Null()},
                           "digest": file_digest},
    })


def members(args):
    """Yields (identifier, attributes) for every catalog entry: one SHA-256 entry per file with
    its name and hash, and the SHA-1 compatibility entry MakeCat adds for each."""
    for path in args.pe:
        name = os.path.basename(path)
        idc, sha256 = indirect_data_from_osslsigncode(args.osslsigncode, path, "sha256")
        _, sha1 = indirect_data_from_osslsigncode(args.osslsigncode, path, "sha1")
        yield sha256, [attribute(OID_CAT_MEMBERINFO2, MemberInfo2Pe()),
                       attribute(OID_CAT_NAMEVALUE, name_value("File", name)),
                       attribute(OID_SPC_INDIRECT_DATA, idc)]
        yield sha1, [attribute(OID_CAT_MEMBERINFO2, MemberInfo2Pe())]
    for path in args.flat:
        name = os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        sha256 = hashlib.sha256(data).digest()
        yield sha256, [attribute(OID_CAT_MEMBERINFO2, MemberInfo2Flat()),
                       attribute(OID_CAT_NAMEVALUE, name_value("File", name)),
                       attribute(OID_SPC_INDIRECT_DATA, flat_indirect_data("sha256", sha256))]
        yield hashlib.sha1(data).digest(), [attribute(OID_CAT_MEMBERINFO2, MemberInfo2Flat())]


def build_ctl(args, now):
    entries = sorted(members(args), key=lambda e: e[0])     # MakeCat lists them by identifier
    # The list identifier only has to tell catalogs apart: derived from the members' hashes it
    # is the same for the same package and changes with any file.
    list_id = hashlib.sha256(b"".join(identifier for identifier, _ in entries)).digest()[:16]
    osattr = Extension({"id": OID_CAT_NAMEVALUE, "value": name_value("OSAttr", args.osattr).dump()})
    return CertificateTrustList({
        "subject_usage": [OID_CATALOG_LIST],
        "list_identifier": list_id,
        "this_update": now,
        "subject_algorithm": {"algorithm": OID_CATALOG_LIST_MEMBER2, "parameters": core.Null()},
        "trusted_subjects": [TrustedSubject({"identifier": i, "attributes": a}) for i, a in entries],
        "extensions": [osattr],
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osslsigncode", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--osattr", required=True, help="OSAttr value, e.g. 2:10.0")
    parser.add_argument("--pe", action="append", default=[], help="a PE image of the package")
    parser.add_argument("--flat", action="append", default=[], help="a file hashed as a whole (the INF)")
    args = parser.parse_args()
    if not args.pe and not args.flat:
        parser.error("no member")
    # SOURCE_DATE_EPOCH (reproducible builds) fixes the time; otherwise the time of the build.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch
           else datetime.datetime.now(datetime.timezone.utc)).replace(microsecond=0)
    ctl = build_ctl(args, now)
    # PKCS#7 v1.5 SignedData with the CTL as its content ([0] EXPLICIT, not wrapped in an OCTET
    # STRING) and no signer: osslsigncode adds the digest algorithm, certificate and signer.
    content_info = pkcs7_signed(CertificateTrustList)({
        "content_type": "1.2.840.113549.1.7.2",                 # szOID_RSA_signedData
        "content": {"version": 1, "digest_algorithms": [], "signer_infos": [],
                    "content_info": {"content_type": OID_CTL, "content": ctl}},
    })
    with open(args.out, "wb") as f:
        f.write(content_info.dump())


if __name__ == "__main__":
    main()
