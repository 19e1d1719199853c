# src/report/ - renderings of results.json: text, Markdown, HTML with SVG, CSV, gnuplot
src_libccb_a_SOURCES += \
	src/report/csv.c \
	src/report/data.c \
	src/report/html.c \
	src/report/md.c \
	src/report/plot.c \
	src/report/plot.h \
	src/report/report.h \
	src/report/text.c
