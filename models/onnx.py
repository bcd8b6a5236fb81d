"""Shared ONNX Runtime session construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.errors import ModelLoadError


def load_session(path: Path, *, threads: int = 1) -> Any:
    try:
        import onnxruntime as ort
    except ImportError as e:  # pragma: no cover
        raise ModelLoadError("onnxruntime is not installed: pip install onnxruntime") from e
    opts = ort.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = threads
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as e:
        raise ModelLoadError(f"could not load ONNX model {path}: {e}") from e
