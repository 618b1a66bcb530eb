#!/bin/zsh -f
# Prints, one per line, the matches zsh's completion offers for a command
# line: zsh_complete.zsh FPATH-DIR LINE. It drives an interactive zsh in a
# pseudo-terminal (zsh/zpty), with compadd wrapped to print each match
# between < >, presses Tab after LINE, then clears the line and prints a
# marker to know when the listing is over. The caller bounds its time.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D; LISTMAX=100000; PROMPT=''"
zpty -w z 'compadd() { builtin compadd -O __hits "$@"; (( $#__hits )) && print -l -- "<${^__hits[@]}>"; builtin compadd "$@" }'
zpty -w z 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no'
zpty -w z 'print BEGIN''-MARK'
zpty -r z out '*BEGIN-MARK*'
zpty -w -n z "$2"$'\t'
zpty -w z $'\C-e\C-u''print END''-MARK'
zpty -r z out '*END-MARK*'
print -r -- "$out" | grep -ao '<[^<>]*>' | tr -d '<>' | sort -u
zpty -d z
