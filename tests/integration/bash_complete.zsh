#!/bin/zsh -f
# Prints, one per line, what bash's completion offers for a command line:
# bash_complete.zsh SCRIPT TOOL LINE. It drives an interactive bash in a
# pseudo-terminal (zsh/zpty), so that bash itself splits the line into
# COMP_WORDS, quotes and word breaks included, with _TOOL wrapped to print
# COMPREPLY between < > and a marker after; presses Tab after LINE, waits
# for the marker, then clears the line. The caller bounds its time.
zmodload zsh/zpty
zpty b bash --norc --noprofile -i
# No history: bash would write it into HOME as it is killed, beside the caller cleaning up.
zpty -w b "unset HISTFILE; PS1=''; PS2=''; bind 'set bell-style none'; source ${(q)1}"
zpty -w b "__wrap() { _$2 \"\$@\"; printf '\n'; printf '<%s>\n' \"\${COMPREPLY[@]}\"; printf 'DONE''-MARK\n'; }; complete -F __wrap $2"
zpty -w b 'echo BEGIN''-MARK'
zpty -r b out '*BEGIN-MARK*'
zpty -w -n b "$3"$'\t'
zpty -r b out '*DONE-MARK*'   # bash has completed: only now the next keys
local offered=$out
zpty -w b $'\C-e\C-u''echo END''-MARK'
zpty -r b out '*END-MARK*'
print -r -- "$offered" | grep -ao '<[^<>]*>' | tr -d '<>' | sort -u
zpty -d b
