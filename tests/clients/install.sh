#!/usr/bin/env bash
# Install the client programs of the real-client conformance suite (tests/clients/runner.py):
# curl, Go, a JDK 17+, Node.js, Chromium, Firefox ESR and the NSS tools from Debian packages,
# and requests / httpx[http2] with pip.
# Whatever cannot be installed is reported here, and the suite skips that client with a line
# saying so.  Never fails: the suite decides what it can run.
#
# The one file it writes outside the packages is Chromium's policy (below);
# `install.sh --remove-chromium-policy` removes it again and changes nothing else.
set -u
say() { echo "install.sh: $*"; }
policy_file=/etc/chromium/policies/managed/httpsys-sim-conformance.json

sudo_cmd=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd="sudo -n"
fi

if [ "${1:-}" = "--remove-chromium-policy" ]; then
    if [ ! -e "$policy_file" ]; then
        say "no Chromium policy to remove ($policy_file)"
    elif $sudo_cmd rm -f "$policy_file"; then
        say "Chromium policy removed: $policy_file"
    else
        say "could not remove $policy_file (root needed)"
        exit 1
    fi
    exit 0
elif [ $# -gt 0 ]; then
    say "unknown option: $1 (the only one is --remove-chromium-policy)"
    exit 2
fi
apt_ok=0
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$sudo_cmd" ]; }; then
    if timeout 300 $sudo_cmd apt-get update -qq >/dev/null 2>&1; then
        apt_ok=1
    else
        say "apt-get update failed: no Debian packages will be installed"
    fi
else
    say "no apt-get, or not root: no Debian packages will be installed"
fi

apt_install() {  # apt_install PACKAGE COMMAND
    if command -v "$2" >/dev/null 2>&1; then
        say "$2 is present ($(command -v "$2"))"
        return 0
    fi
    if [ "$apt_ok" = 1 ] && timeout 900 $sudo_cmd env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$1" >/dev/null 2>&1; then
        say "installed $1"
        return 0
    fi
    say "SKIPPED: could not install $1; the clients that need $2 will be skipped"
    return 1
}

apt_install curl curl
apt_install golang-go go
java_major=0
if command -v java >/dev/null 2>&1; then
    java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
fi
if [ "${java_major:-0}" -ge 17 ] 2>/dev/null && command -v javac >/dev/null 2>&1; then
    say "java $java_major and javac are present"
else
    apt_install default-jdk-headless javac
fi
apt_install nodejs node
apt_install chromium chromium
apt_install firefox-esr firefox-esr
apt_install libnss3-tools pk12util  # a client certificate in the browsers' NSS databases

# Chromium presents a client certificate without asking only under a policy, read from
# /etc/chromium/policies/managed/ alone: loopback URLs, certificates of the endpoint's own
# O=httpsys-sim issuers (tests/clients/browsers.py chromium_policy).
policy_dir=$(dirname "$policy_file")
if command -v chromium >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$sudo_cmd" ]; }; then
    here=$(cd "$(dirname "$0")" && pwd)
    if policy=$(python "$here/browsers.py" chromium-policy) \
        && $sudo_cmd mkdir -p "$policy_dir" \
        && printf '%s\n' "$policy" | $sudo_cmd tee "$policy_file" >/dev/null; then
        say "Chromium policy written: $policy_file (remove it: install.sh --remove-chromium-policy)"
    else
        say "SKIPPED: could not write the Chromium policy; Chromium will run without a client certificate"
    fi
else
    say "SKIPPED: no chromium, or not root: Chromium will run without a client certificate"
fi

if timeout 600 python -m pip install -q requests 'httpx[http2]' >/dev/null 2>&1; then
    say "requests and httpx[http2] are installed"
else
    say "SKIPPED: pip could not install requests / httpx[http2]; those clients will be skipped"
fi
exit 0
