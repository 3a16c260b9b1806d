# Registry fixtures shared by the suites that talk to Debian's docker-registry on
# 127.0.0.1: free ports, a registry per configuration, and a test CA made with openssl.
# Load after helpers (HOLT_TMP is the file's temporary dir).

# A free TCP port on 127.0.0.1.
free_port()
{
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_registry NAME [CONFIG-LINES]: docker-registry serving $HOLT_TMP/NAME-data on a
# free port, written to $HOLT_TMP/NAME.port; waits until it answers.
start_registry()
{
	local name=$1 extra=${2:-} port scheme=http curl_opts=()
	port=$(free_port)
	cat >"$HOLT_TMP/$name.yml" <<-EOC
		version: 0.1
		log:
		  level: error
		storage:
		  filesystem:
		    rootdirectory: $HOLT_TMP/$name-data
		http:
		  addr: 127.0.0.1:$port
		$extra
	EOC
	# It takes REGISTRY_* from the environment as settings: REGISTRY_AUTH_FILE is holt's.
	env -u REGISTRY_AUTH_FILE docker-registry serve "$HOLT_TMP/$name.yml" \
		>"$HOLT_TMP/$name.log" 2>&1 &
	echo $! >"$HOLT_TMP/$name.pid"
	echo "$port" >"$HOLT_TMP/$name.port"
	[[ $extra == *tls:* ]] && scheme=https curl_opts=(-k)
	for _ in $(seq 100); do
		curl -s "${curl_opts[@]}" -o /dev/null "$scheme://127.0.0.1:$port/v2/" && return 0
		sleep 0.1
	done
	echo "docker-registry $name did not start:" >&2
	cat "$HOLT_TMP/$name.log" >&2
	return 1
}

reg()
{
	echo "127.0.0.1:$(cat "$HOLT_TMP/$1.port")"
}

make_tls()
{
	local d=$HOLT_TMP/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 \
		-subj "/CN=holt test CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" \
		-subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/srv.crt" -days 2 -extfile "$d/ext" 2>/dev/null
}
