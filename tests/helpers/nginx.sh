# SPDX-License-Identifier: MIT
# tests/helpers/nginx.sh - a private nginx on 127.0.0.1, sourced by tests/cli/http.sh and
# bench/compare-curl.sh. Set NGINX (the binary), PY (python3) and nginx_dir (a folder for its
# configuration, logs and temporary files) first; nginx_access_log=off leaves requests unlogged.
# shellcheck shell=bash

nginx_pid=
port=

# free_port: a TCP port of 127.0.0.1 that nobody listens on now.
free_port() {
	"$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# nginx_start ROOT [DIRECTIVE...]: serve ROOT on 127.0.0.1:$port (chosen on the first start and
# kept) with autoindex on, in the foreground of a background job ($nginx_pid). Returns 1, after
# printing nginx's error log, when it does not answer.
nginx_start() {
	local root=$1
	shift
	[ -n "$port" ] || port=$(free_port)
	mkdir -p "$nginx_dir/logs"
	cat >"$nginx_dir/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
daemon off;
master_process on;
worker_processes 2;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log;
events { worker_connections 256; }
http {
	access_log ${nginx_access_log:-$nginx_dir/logs/access.log};
	sendfile on;
	client_body_temp_path $nginx_dir/body;
	proxy_temp_path $nginx_dir/proxy;
	fastcgi_temp_path $nginx_dir/fastcgi;
	uwsgi_temp_path $nginx_dir/uwsgi;
	scgi_temp_path $nginx_dir/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$port;
		root $root;
		autoindex on;
		$*
	}
}
CONF
	"$NGINX" -c "$nginx_dir/nginx.conf" -p "$nginx_dir" -e "$nginx_dir/logs/error.log" &
	nginx_pid=$!
	for _ in $(seq 100); do
		"$PY" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" 2>/dev/null && return 0
		kill -0 "$nginx_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$nginx_dir/logs/error.log" >&2 || true
	echo "nginx did not start on 127.0.0.1:$port" >&2
	return 1
}

nginx_stop() {
	if [ -n "$nginx_pid" ]; then
		kill "$nginx_pid" 2>/dev/null || true
		wait "$nginx_pid" 2>/dev/null || true
	fi
	nginx_pid=
}
