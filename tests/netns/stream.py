#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Long-lived flows for the reload and restart tests: a TCP stream server that echoes
# every line of a connection as "NAME LINE", and clients that keep one TCP connection
# or one UDP flow (one source port) exchanging data until told to stop.
"""Usage:
  stream.py server --name b1 --address 10.0.1.100 --port 8080 --pidfile FILE
  stream.py tcp --vip 10.0.1.100 --port 8080 --status FILE --stop FILE
  stream.py udp --vip 10.0.1.100 --port 53 --status FILE --stop FILE

Clients send a line every 50 ms and rewrite FILE (JSON) after each answer:
{"sent", "answered", "backends": {NAME: count}, "error"}; they end when the stop
file appears (exit 0) or at the first error of the TCP connection (reset, EOF,
5 s without an answer: exit 1). A UDP answer lost is counted, not fatal.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time


def serve(sock, name):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=echo_lines, args=(conn, name), daemon=True).start()


def echo_lines(conn, name):
    with conn:
        buffer = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                conn.sendall(name + b" " + line + b"\n")


def server(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.address, args.port))
    sock.listen(64)
    with open(args.pidfile, "w") as f:
        f.write(f"{os.getpid()}\n")
    serve(sock, args.name.encode())


def write_status(path, status):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(status, f)
    os.replace(tmp, path)


def tcp_client(args, status):
    sock = socket.create_connection((args.vip, args.port), timeout=5)
    sock.settimeout(5)
    reader = sock.makefile("rb")
    while not os.path.exists(args.stop):
        status["sent"] += 1
        sock.sendall(b"line %d\n" % status["sent"])
        answer = reader.readline()
        if not answer:
            raise OSError("connection closed by the peer")
        name = answer.split(b" ", 1)[0].decode()
        status["backends"][name] = status["backends"].get(name, 0) + 1
        status["answered"] += 1
        write_status(args.status, status)
        time.sleep(0.05)
    sock.close()


def udp_client(args, status):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 0))
    sock.settimeout(1)
    while not os.path.exists(args.stop):
        status["sent"] += 1
        sock.sendto(b"ping %d" % status["sent"], (args.vip, args.port))
        try:
            answer, _ = sock.recvfrom(4096)
            name = answer.split(b" ", 1)[0].decode()
            status["backends"][name] = status["backends"].get(name, 0) + 1
            status["answered"] += 1
        except socket.timeout:
            pass
        write_status(args.status, status)
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description="long-lived test flows")
    parser.add_argument("mode", choices=["server", "tcp", "udp"])
    parser.add_argument("--name", default="")
    parser.add_argument("--address", default="0.0.0.0")
    parser.add_argument("--vip")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pidfile")
    parser.add_argument("--status")
    parser.add_argument("--stop")
    args = parser.parse_args()
    if args.mode == "server":
        server(args)
        return 0
    status = {"sent": 0, "answered": 0, "backends": {}, "error": None}
    try:
        (tcp_client if args.mode == "tcp" else udp_client)(args, status)
    except OSError as err:
        status["error"] = str(err)
        write_status(args.status, status)
        return 1
    write_status(args.status, status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
