<?php
/* No listing of the plugin's directory: back to SquirrelMail. */
header('Location: ../index.php');
