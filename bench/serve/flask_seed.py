"""The seed's plugin file server (seeds/000): Flask's dev server, safe_join + send_from_directory."""
import os, sys
from flask import Flask, abort
from werkzeug.security import safe_join
from flask import send_from_directory

PLUGINS_ROOT = sys.argv[1]
app = Flask(__name__)

@app.route('/plugins/<path:subpath>')
def serve_plugin_asset(subpath):
    full = safe_join(PLUGINS_ROOT, subpath)
    if not full or not os.path.isfile(full):
        return abort(404)
    if full.endswith('.js'):
        return send_from_directory(PLUGINS_ROOT, subpath, mimetype='text/javascript', max_age=0)
    if full.endswith('.json'):
        return send_from_directory(PLUGINS_ROOT, subpath, mimetype='application/json', max_age=0)
    return send_from_directory(PLUGINS_ROOT, subpath, max_age=0)

if __name__ == '__main__':
    import logging
    logging.getLogger('werkzeug').setLevel(logging.ERROR)
    # Flask's default dev server (threaded=True since Flask 1.0), as `flask run` / app.run() use.
    app.run(host='127.0.0.1', port=int(sys.argv[2]))
