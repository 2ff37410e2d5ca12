/* cmd_check.c - `ganrun check MODEL.yaml`: load and build a model, print
 * its networks (--expand: the expanded model, --dot: Graphviz). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int cmd_check(int argc, char **argv)
{
    cli_model_args m = { .nsets = 0 };
    int expand = 0, dot = 0;
    const char *model = NULL;
    const cli_opt opts[] = {
        { "--expand", NULL, CLI_FLAG, &expand, 0, 0, NULL },
        { "--dot", NULL, CLI_FLAG, &dot, 0, 0, NULL },
        { NULL, NULL, CLI_FLAG, NULL, 0, 0, NULL },
    };
    int rc = cli_parse("check", argc, argv, opts, &m, &model, 1, NULL, "model file");
    if (rc != EXIT_OK) return rc;
    if (expand && dot) return cli_usage("check", "--expand and --dot exclude each other");
    gan_error err;
    gan_error_clear(&err);
    gan_model_spec *spec = cli_model_load(model, &m);
    if (!spec) return EXIT_ERR;
    /* shapes: from the data when it is readable, else from the generator
     * (the trainer takes ownership of spec and keeps it as t->cfg.spec) */
    gan_trainer *t;
    if (gan_trainer_create(&t, spec, 0, &err) != GAN_OK) {
        cli_error(&err);
        return EXIT_ERR;
    }
    spec = t->cfg.spec;
    if (gan_trainer_check_data_shape(t, &err) != GAN_OK) {
        cli_error(&err);
        gan_trainer_free(t);
        return EXIT_ERR;
    }
    if (expand) fputs(t->cfg.model_text, stdout);
    else if (dot) gan_model_print_dot(stdout, t->cfg.spec, t->G, t->D);
    else gan_model_print_summary(stdout, t->cfg.spec, t->G, t->D);
    char **cls;
    int ncls;
    gan_error derr;
    if (!expand && gan_data_class_names(&spec->data, &cls, &ncls, &derr) == GAN_OK && ncls > 0) {
        printf("classes:");
        for (int i = 0; i < ncls; i++) printf("%s %s", i ? "," : "", cli_esc(cls[i]));
        printf("\n");
        gan_data_free_names(cls);
    }
    gan_trainer_free(t);
    return EXIT_OK;
}
