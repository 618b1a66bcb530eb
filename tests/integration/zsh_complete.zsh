#!/bin/zsh -f
# Prints the matches zsh's completion offers for command lines, one per
# line, each line's followed by a line "--end--": zsh_complete.zsh FPATH-DIR
# LINE... It drives one interactive zsh in a pseudo-terminal (zsh/zpty;
# its compinit is most of the time, so every LINE goes to the same one),
# with compadd wrapped to print each match between < >; for each LINE it
# presses Tab after it, waits for the marker its Tab prints once completion
# is over, then clears the line. The caller bounds its time.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D; LISTMAX=100000; PROMPT=''"
zpty -w z 'compadd() { builtin compadd -O __hits "$@"; (( $#__hits )) && print -l -- "<${^__hits[@]}>"; builtin compadd "$@" }'
zpty -w z 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no'
# Tab completes, then prints a marker: the next keys wait for it.
zpty -w z '__done() { _main_complete; print -n "DONE""-MARK" }; zle -C __tab complete-word __done; bindkey "^I" __tab'
zpty -w z 'print BEGIN''-MARK'
zpty -r z out '*BEGIN-MARK*'
shift
for line; do
    zpty -w -n z "$line"$'\t'
    zpty -r z out '*DONE-MARK*'
    local offered=$out
    zpty -w z $'\C-e\C-u''print END''-MARK'
    zpty -r z out '*END-MARK*'
    print -r -- "$offered" | grep -ao '<[^<>]*>' | tr -d '<>' | sort -u
    print -- --end--
done
zpty -d z
