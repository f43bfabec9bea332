"""A local SMTP sink for the sending benchmarks: accepts and discards every message.

    python bench/smtp_sink.py --port 2525

Runs aiosmtpd in its own process, so that the sender being measured does not share its
interpreter. On SIGTERM it prints how many messages and recipients it accepted.
"""

import argparse
import asyncio
import signal

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages = 0
        self.recipients = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print("ready", flush=True)
    loop.run_until_complete(stop.wait())
    controller.stop()
    print(f"{sink.messages} {sink.recipients}", flush=True)


if __name__ == "__main__":
    main()
