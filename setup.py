"""Build the optional compiled scanner; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "analyzer.parse._scan",
            sources=["analyzer/parse/_scan.c"],
            extra_compile_args=["-O2"],
            optional=True,  # without a C compiler, parsing falls back to RE2 patterns
        )
    ]
)
