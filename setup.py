"""Compile the gettext catalogues (.po → .mo) whenever the package is built.

The .mo files are build products, not sources: they are not committed. This runs for
`pip install .` (into the wheel) and for `pip install -e .` (next to the .po files).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogues(source_root: Path, target_root: Path) -> None:
    import polib

    for po_path in sorted(source_root.glob("comptoir/locale/*/LC_MESSAGES/*.po")):
        mo_path = target_root / po_path.relative_to(source_root).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


class BuildWithCatalogues(build_py):
    def run(self):
        root = Path(__file__).resolve().parent
        compile_catalogues(root, root)
        super().run()
        if not getattr(self, "editable_mode", False):
            compile_catalogues(root, Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithCatalogues})
