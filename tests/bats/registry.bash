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

# start_basic_registry NAME: one that wants htpasswd Basic auth, user alice, password s3cret.
start_basic_registry()
{
	htpasswd -Bbn alice s3cret >"$HOLT_TMP/htpasswd"
	start_registry "$1" "auth:
  htpasswd:
    realm: holt-test
    path: $HOLT_TMP/htpasswd"
}

# Stops every server the file started (registries, token issuers, proxies: each left its
# pid in $HOLT_TMP/*.pid).
stop_registries()
{
	local f
	for f in "$HOLT_TMP"/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
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

# start_token_registry NAME USER:PASSWORD PUBLIC-GLOB [tls]: docker-registry with Docker's token
# auth, and tests/lib/token-issuer as its token service: a key and a self-signed cert made
# with openssl sign the tokens (the cert rides in each token's x5c header and is the
# registry's rootcertbundle). Anonymous callers may pull the repositories that match
# PUBLIC-GLOB; USER may pull and push everywhere. The issuer logs each request to
# $HOLT_TMP/NAME-issuer.log; its port is in $HOLT_TMP/NAME-issuer.port. With tls, both
# speak HTTPS with make_tls's certificate (call make_tls first), each on its own port.
start_token_registry()
{
	local name=$1 user=$2 public=$3 d=$HOLT_TMP/$1-token port scheme=http tls_issuer=() \
		tls_registry=
	if [ "${4:-}" = tls ]; then
		scheme=https
		tls_issuer=(--tls-cert "$HOLT_TMP/tls/srv.crt" --tls-key "$HOLT_TMP/tls/srv.key")
		tls_registry="  tls:
    certificate: $HOLT_TMP/tls/srv.crt
    key: $HOLT_TMP/tls/srv.key"
	fi
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" \
		-days 2 -subj "/CN=holt test token issuer" 2>/dev/null
	"$HOLT_LIB/token-issuer" --key "$d/key.pem" --cert "$d/cert.pem" \
		--port-file "$HOLT_TMP/$name-issuer.port" --user "$user" --public "$public" \
		--log "$HOLT_TMP/$name-issuer.log" "${tls_issuer[@]}" \
		>"$HOLT_TMP/$name-issuer.err" 2>&1 &
	echo $! >"$HOLT_TMP/$name-issuer.pid"
	for _ in $(seq 100); do
		[ -e "$HOLT_TMP/$name-issuer.port" ] && break
		sleep 0.1
	done
	port=$(cat "$HOLT_TMP/$name-issuer.port" 2>/dev/null) || {
		echo "token-issuer $name did not start:" >&2
		cat "$HOLT_TMP/$name-issuer.err" >&2
		return 1
	}
	start_registry "$name" "$tls_registry
auth:
  token:
    realm: $scheme://127.0.0.1:$port/token
    service: holt-test-registry
    issuer: holt-test-issuer
    rootcertbundle: $d/cert.pem"
}
