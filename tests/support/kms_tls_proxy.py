"""A TLS front for the emulator's KMS API, for the driver-document tests.

MongoDB drivers (through libmongocrypt) speak only HTTPS to KMS, and the emulator speaks plain
HTTP. This proxy makes a throwaway self-signed certificate for 127.0.0.1, listens on a free port
and forwards every connection to the emulator. It prints one line, "PORT CERTFILE", when ready
(the test points SSL_CERT_FILE at CERTFILE), then one line "call <X-Amz-Target>" per request it
forwards, so the test can see which KMS calls the driver made.

    python kms_tls_proxy.py TARGET_HOST TARGET_PORT
"""

import datetime
import ipaddress
import os
import socket
import ssl
import sys
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_certificate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile = os.path.join(directory, "cert.pem")
    keyfile = os.path.join(directory, "key.pem")
    with open(certfile, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(keyfile, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return certfile, keyfile


print_lock = threading.Lock()


def say(line):
    with print_lock:
        print(line, flush=True)


def pipe(source, sink, watch):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if watch:
                for header in data.split(b"\r\n"):
                    if header.lower().startswith(b"x-amz-target:"):
                        say("call " + header.split(b":", 1)[1].strip().decode())
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(conn, context, target):
    try:
        client = context.wrap_socket(conn, server_side=True)
        upstream = socket.create_connection(target)
    except OSError as e:
        say(f"error {e}")
        conn.close()
        return
    threading.Thread(target=pipe, args=(upstream, client, False), daemon=True).start()
    pipe(client, upstream, True)


def main():
    target = (sys.argv[1], int(sys.argv[2]))
    certfile, keyfile = make_certificate(tempfile.mkdtemp(prefix="iamwiz-kms-tls-"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    say(f"{listener.getsockname()[1]} {certfile}")
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, context, target), daemon=True).start()


if __name__ == "__main__":
    main()
