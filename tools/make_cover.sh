#!/usr/bin/env bash
# Draw the sample show's cover art: a 1400x1400 RGB JPEG, as Apple asks for.
# Needs ffmpeg with drawtext and the DejaVu fonts (Debian: fonts-dejavu-core).
set -euo pipefail
out=${1:-cover.jpg}
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0x1d3557:s=1400x1400" -frames:v 1 \
  -vf "drawbox=x=100:y=980:w=1200:h=12:color=0xe63946:t=fill,\
drawtext=fontfile=$font:text='UN Desk':fontcolor=white:fontsize=210:x=(w-text_w)/2:y=420,\
drawtext=fontfile=$font:text='Conversations':fontcolor=0xa8dadc:fontsize=120:x=(w-text_w)/2:y=700,\
drawtext=fontfile=$font:text='a podcast-toolkit sample show':fontcolor=0xf1faee:fontsize=56:x=(w-text_w)/2:y=1080" \
  -q:v 3 "$out"
