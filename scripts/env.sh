# Sourced by the scripts: tools installed by setup.sh first on PATH.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk refuses NO_COLOR=1 ("invalid value '1' for '--no-color'").
unset NO_COLOR
