# SPDX-License-Identifier: MIT
# src/report/ - renderings of results.json: report data, text, Markdown, HTML with SVG, CSV,
# gnuplot, fio's reference, the report files of a results folder, and a comparison as Markdown,
# JUnit and HTML
src_libccb_a_SOURCES += src/report/compare_html.c src/report/compare_render.c src/report/csv.c \
	src/report/data.c src/report/data.h src/report/html.c src/report/md.c src/report/overhead.c src/report/plot.c \
	src/report/plot.h src/report/reference.c src/report/render.c src/report/render.h \
	src/report/report.h src/report/sections.c src/report/svg.c src/report/svg.h src/report/text.c \
	src/report/write.c
# across nodes: the nodes, the scaling curve, the recommendation by node count
src_libccb_a_SOURCES += src/report/nodes.c src/report/nodes.h
