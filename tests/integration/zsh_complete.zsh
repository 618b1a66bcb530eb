#!/bin/zsh -f
# Prints, one per line, the matches zsh's completion offers for a command
# line: zsh_complete.zsh FPATH-DIR LINE. It drives an interactive zsh in a
# pseudo-terminal (zsh/zpty), with compadd wrapped to print each match
# between < >, presses Tab after LINE, waits for the marker its Tab prints
# once completion is over, then clears the line. The caller bounds its time.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D; LISTMAX=100000; PROMPT=''"
zpty -w z 'compadd() { builtin compadd -O __hits "$@"; (( $#__hits )) && print -l -- "<${^__hits[@]}>"; builtin compadd "$@" }'
zpty -w z 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no'
# Tab completes, then prints a marker: the next keys wait for it.
zpty -w z '__done() { _main_complete; print -n "DONE""-MARK" }; zle -C __tab complete-word __done; bindkey "^I" __tab'
zpty -w z 'print BEGIN''-MARK'
zpty -r z out '*BEGIN-MARK*'
zpty -w -n z "$2"$'\t'
zpty -r z out '*DONE-MARK*'
local offered=$out
zpty -w z $'\C-e\C-u''print END''-MARK'
zpty -r z out '*END-MARK*'
print -r -- "$offered" | grep -ao '<[^<>]*>' | tr -d '<>' | sort -u
zpty -d z
