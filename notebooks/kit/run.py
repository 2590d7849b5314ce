"""Run-time switches every notebook shares: the scale, the device, the seed."""
import os
import random

import numpy as np
import torch

# smoke: seconds, proves the code runs (tests). cpu: a few minutes on a 2-core laptop.
# gpu: the full run on one GPU.
SCALES = ("smoke", "cpu", "gpu")
DEFAULT_SCALE = "cpu"


def scale() -> str:
    """The scale named by $DLH_SCALE (default "cpu")."""
    value = os.environ.get("DLH_SCALE", DEFAULT_SCALE).strip()
    if value not in SCALES:
        raise ValueError(f"DLH_SCALE={value!r} is not one of {', '.join(SCALES)}")
    return value


def pick(*, smoke, cpu, gpu):
    """The value for the current scale: pick(smoke=1, cpu=5, gpu=30)."""
    return {"smoke": smoke, "cpu": cpu, "gpu": gpu}[scale()]


def device() -> torch.device:
    """CUDA when there is a GPU, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int = 0) -> None:
    """Seed every random generator a notebook may touch.

    cuDNN is asked for deterministic kernels. We do not call
    torch.use_deterministic_algorithms(True): some ops have no deterministic CUDA kernel and
    would raise, and "within a stated tolerance" is the promise, not bit-identical runs.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    # Needed for deterministic cuBLAS; only takes effect if set before CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
