# The busybox acceptance script (docs/testing.md, "busybox acceptance"):
# run by Debian's busybox-static `sh` on the host and on Panda OS, as
#
#     busybox sh accept.sh WORK
#
# it builds its starting files in the empty directory WORK (made anew),
# runs the shell's constructs and the applets over them with everything
# they print going to WORK.out, and then prints that file with "| " before
# each line, between "=== begin accept" and "=== end accept". The two
# machines must print the same bytes. Nothing here may print what differs
# between them: absolute paths, times, owners, modes, directory order.

work=$1
rm -rf "$work" "$work.out"
mkdir -p "$work" && cd "$work" || exit 1

fruit() {
	cat <<'END'
apple,3,red
banana,12,yellow
cherry,7,red
date,1,brown
elderberry,20,purple
fig,7,purple
grape,15,green
END
}

section() {
	echo "--- $1"
}

shell_constructs() {
	section "variables, arithmetic, \$?, && and ||"
	a=5 b=7
	echo "sum $((a + b)) product $((a * b)) mod $((b % a))"
	false; echo "false gives $?"
	true && echo "and runs after true"
	false || echo "or runs after false"
	false && echo "never printed"
	[ "$a" -lt "$b" ] && echo "$a is less than $b"
	test -z "" && test -n "x" && echo "test -z and -n"

	section "functions, locals, return codes"
	greet() { local who=$1; echo "hello, $who"; return 4; }
	greet world; echo "greet returned $?"
	count_args() { echo "$# args: $*"; }
	count_args one "two words" three

	section "loops, case, globs"
	for i in 1 2 3; do printf '%s.' "$i"; done; echo
	n=0; while [ $n -lt 4 ]; do n=$((n + 1)); done; echo "while counted to $n"
	for word in apple Banana 42 -x; do
		case $word in
		[a-z]*) echo "$word: lower" ;;
		[A-Z]*) echo "$word: upper" ;;
		[0-9]*) echo "$word: number" ;;
		*) echo "$word: other" ;;
		esac
	done
	touch g1.txt g2.txt g3.log
	echo "globbed:" *.txt
	rm g1.txt g2.txt g3.log

	section "subshells and command substitution"
	x=outer
	(x=inner; echo "in the subshell x=$x")
	echo "after it x=$x"
	(exit 3); echo "the subshell exited $?"
	mkdir -p sub/deeper
	echo "the subshell's directory: $(cd sub/deeper && basename "$(pwd)")"
	echo "ours is still $(basename "$(pwd)")"
	echo "nested: $(echo "$(echo inner-most)")"

	section "redirections and here-documents"
	fruit > fruit.csv
	echo "first" > lines.txt
	echo "second" >> lines.txt
	echo "third" >> lines.txt
	wc -l < lines.txt
	ls no-such-file > err.txt 2>&1; echo "ls failed with $?"
	cat err.txt
	cat <<END
a here-document sees a=$a and \$(echo sub)=$(echo sub)
END
	cat <<'END'
a quoted one keeps $a and $(echo sub)
END
	while read -r line; do echo "read: $line"; done < lines.txt
	echo "to stderr" 1>&2
}

text_applets() {
	section "cat, head, tail, wc"
	cat lines.txt fruit.csv | head -n 4
	tail -n 2 fruit.csv
	tail -c 7 fruit.csv
	wc fruit.csv
	wc -w -c lines.txt

	section "grep"
	grep red fruit.csv
	grep -c purple fruit.csv
	grep -v -e red -e purple fruit.csv
	grep -n '^[a-c]' fruit.csv
	grep -q mango fruit.csv; echo "grep -q mango: $?"

	section "sed"
	sed -n '2,4p' fruit.csv
	sed 's/,/ | /g' fruit.csv | head -n 2
	sed '/purple/d' fruit.csv | tail -n 1
	cp fruit.csv edited.csv
	sed -i 's/red/RED/' edited.csv
	grep -c RED edited.csv

	section "awk"
	awk -F, '{ total += $2 } END { print "total", total, "rows", NR }' fruit.csv
	awk -F, '$2 > 7 { printf "%-12s %3d\n", $1, $2 }' fruit.csv
	awk -F, '{ colours[$3]++ } END { for (c in colours) print c, colours[c] }' fruit.csv | sort

	section "sort, uniq, cut, tr"
	sort -t, -k2 -n fruit.csv | cut -d, -f1,2
	sort -r fruit.csv | head -n 2
	cut -d, -f3 fruit.csv | sort | uniq -c
	cut -d, -f3 fruit.csv | sort -u | tr '\n' ' '; echo
	echo "Hello, World" | tr 'a-z' 'A-Z'
	echo "a-b-c" | tr -d '-'
	cut -c1-3 lines.txt

	section "seq, xargs, od, md5sum, basename, dirname, date"
	seq 3
	seq 2 3 11 | tr '\n' ','; echo
	seq 1 7 | xargs -n 3 echo "group:"
	printf 'AB\tc\n' | od -c
	printf 'hi\n' | od -An -tx1
	md5sum fruit.csv lines.txt
	echo -n "" | md5sum
	basename /usr/lib/file.tar.gz .gz
	dirname /usr/lib/file.tar.gz
	dirname relative
	date -u -d @86400 '+%Y-%m-%d %H:%M:%S'
	date -u -d '2001-02-03 04:05:06' +%s
}

file_applets() {
	section "mkdir, touch, cp, mv, rm, rmdir, ls, find"
	mkdir -p tree/a/b tree/c
	touch tree/empty
	cp fruit.csv tree/a/
	cp lines.txt tree/a/b/lines.txt
	echo "note" > tree/c/note
	ls tree
	ls tree/a
	find tree | sort
	find tree -type f -name '*.csv'
	find tree -type d | sort
	cp -r tree copy
	find copy -type f | sort | xargs md5sum
	mv copy/c/note copy/c/renamed
	mv copy/a copy/moved
	ls copy copy/c
	rm copy/c/renamed
	rmdir copy/c && echo "rmdir of the emptied c"
	rmdir copy/moved 2>&1; echo "rmdir of a full one: $?"
	rm -r copy
	[ -e copy ] || echo "copy is gone"
	[ -d tree ] && [ -f tree/empty ] && [ ! -s tree/empty ] && echo "test -d -f -s"
	[ -s tree/a/fruit.csv ] && echo "fruit.csv is not empty"
	ls -d tree/*

	section "tar, gzip, gunzip"
	tar cf tree.tar tree
	tar tf tree.tar | sort
	mkdir unpacked
	tar xf tree.tar -C unpacked
	find unpacked -type f | sort | xargs md5sum
	seq 1 2000 > numbers.txt
	gzip -c numbers.txt > numbers.gz
	gunzip -c numbers.gz | md5sum
	md5sum numbers.txt
	gzip numbers.txt
	ls numbers*
	gunzip numbers.txt.gz
	wc -l numbers.txt
	tar cf - tree | gzip -c | gunzip -c | tar tf - | sort | head -n 3
}

{
	shell_constructs
	text_applets
	file_applets
	section "done"
} > "$work.out" 2>&1
echo "=== begin accept"
sed 's/^/| /' "$work.out"
echo "=== end accept"
