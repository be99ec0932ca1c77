"""Static files for production: WhiteNoise's compressed, content-hashed storage, with the
relative imports between JavaScript modules rewritten to the hashed names too. Without the
rewrite, static/js/desk/main.<hash>.js would import "./cite.js" by its plain name: a file
cached for a minute only, which may belong to another release than the module importing it."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Off by default in Django because its patterns also read every other *.js collected;
    # collectstatic over the admin's and this project's scripts passes with it on, and
    # tests/test_static_modules.py checks that the desk's imports are rewritten.
    support_js_module_import_aggregation = True
