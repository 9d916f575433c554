
set edit:completion:arg-completer[incident] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) INCIDENT_COMPLETE="elvish" incident -- $@words) | to-lines
}

