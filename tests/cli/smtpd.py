"""A real SMTP server on loopback for the mail tests (tests/cli/mail.rs):
aiosmtpd, which writes each message it takes to a folder, one JSON file a
message, as its envelope came and as Python's e-mail parser (RFC 5322, with
RFC 2047 encoded words decoded) reads it.

Prints the port it listens on, then serves until killed. Options:
  --dir DIR               where messages go (0001.json, 0002.json, ...)
  --port N                the port (0: any free one)
  --starttls CERT KEY     offer STARTTLS with this certificate
  --tls CERT KEY          TLS from the first byte (as on port 465)
  --auth USER:PASSWORD    require AUTH with these (after TLS, when TLS is on)
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--starttls", nargs=2)
parser.add_argument("--tls", nargs=2)
parser.add_argument("--auth")
args = parser.parse_args()


def context(pair):
    if pair is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*pair)
    return ctx


class Handler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            # Whether the message came over TLS (STARTTLS or from the start).
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data.login.decode() if session.auth_data else None,
            "raw": raw.decode("utf-8", "replace"),
            "headers": [[k, str(v)] for k, v in parsed.items()],
            "content_type": parsed.get_content_type(),
            "charset": parsed.get_content_charset(),
            "body": parsed.get_content() if not parsed.is_multipart() else None,
            "defects": [repr(d) for d in parsed.defects],
        }
        path = os.path.join(args.dir, "%04d.json" % self.count)
        # Whole files only: the test may look while one is being written.
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 OK"


def authenticator(server, session, envelope, mechanism, data):
    user, _, password = args.auth.partition(":")
    ok = isinstance(data, LoginPassword) and data == LoginPassword(
        user.encode(), password.encode()
    )
    # Not handled: aiosmtpd answers a failure with 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    handler = Handler()
    starttls = context(args.starttls)
    implicit = context(args.tls)

    def smtp():
        return SMTP(
            handler,
            hostname="mail.test",
            tls_context=starttls,
            require_starttls=starttls is not None,
            authenticator=authenticator if args.auth else None,
            auth_required=bool(args.auth),
            # On a TLS connection aiosmtpd does not know it is one: it is.
            auth_require_tls=implicit is None,
        )

    server = await asyncio.get_running_loop().create_server(
        smtp, sock=sock, ssl=implicit
    )
    print(sock.getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
